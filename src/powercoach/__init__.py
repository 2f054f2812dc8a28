"""powercoach: a Jupyter course on power dynamics in executive coaching.

The package is light to import on purpose (pandas, ipywidgets and matplotlib load only in the
modules that use them), so a lesson's first cell answers at once.
"""

__version__ = "0.1.0"
