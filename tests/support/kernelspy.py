"""A kernel manager for tests: the course's sandboxed one, logging each kernel it starts.

Tests that grade with it point ``c.Execute.kernel_manager_class`` here and set
``POWERCOACH_KERNEL_LOG``; the log then shows which submissions started a kernel at all.
"""

import os

from powercoach.instructor.sandbox import SandboxKernelManager


class SpyKernelManager(SandboxKernelManager):
    async def _async_pre_start_kernel(self, **kw):
        with open(os.environ["POWERCOACH_KERNEL_LOG"], "a", encoding="utf-8") as log:
            log.write(f"{kw.get('cwd') or os.getcwd()}\n")
        return await super()._async_pre_start_kernel(**kw)
