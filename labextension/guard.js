// The guard of @powercoach/autorun: which cells read as course code (plain JavaScript, no imports,
// so tests/test_labextension.py can run it under node against every course notebook).
const COURSE_MODULES = /^from\s+powercoach\.(widgets|exercise)\s+import\s+(\w+(?:\s*,\s*\w+)*)$/;
const CALL = /^(?:(\w+)\s*=\s*)?(\w+)(?:\.(\w+))?\(([^()]*)\)$/;
const ARGS = /^[\w\s,=[\]+-]*$/; // string literals are already S: no calls, dots, braces or operators
const ANSWER_LINE = /^(\w+)\[S\]\s*=\s*S$/;

/** Is every statement of this cell course code? `names` carries imports and assignments between cells. */
export function isCourseCode(source, names) {
  if (/"""|'''|\\/.test(source)) {
    return false;
  }
  const code = source
    .replace(/[rRbBuUfF]*("[^"\n]*"|'[^'\n]*')/g, m => (/^[fF]/.test(m) ? '\u0000' : 'S'))
    .replace(/#[^\n]*/g, '');
  if (code.includes('\u0000') || /[;@:{}]/.test(code)) {
    return false;
  }
  // Join the lines of a bracketed call into one statement.
  const statements = [];
  let current = '';
  let depth = 0;
  for (const line of code.split('\n')) {
    current += (current ? ' ' : '') + line.trim();
    depth += (line.match(/[([]/g) || []).length - (line.match(/[)\]]/g) || []).length;
    if (depth < 0) {
      return false;
    }
    if (depth === 0) {
      if (current) {
        statements.push(current.replace(/\s+/g, ' ').replace(/\(\s+/g, '(').replace(/,?\s*\)$/, ')'));
      }
      current = '';
    }
  }
  if (depth !== 0) {
    return false;
  }
  const imported = new Set(names.imported);
  const assigned = new Set(names.assigned);
  for (const statement of statements) {
    const fromCourse = COURSE_MODULES.exec(statement);
    if (fromCourse) {
      fromCourse[2].split(',').forEach(name => imported.add(name.trim()));
      continue;
    }
    const answer = ANSWER_LINE.exec(statement);
    if (answer && assigned.has(answer[1])) {
      continue;
    }
    const call = CALL.exec(statement);
    if (!call || !ARGS.test(call[4])) {
      return false;
    }
    const [, target, callee, method] = call;
    const allowed = method ? assigned.has(callee) && !method.startsWith('_') : imported.has(callee);
    const bareNames = call[4].replace(/\w+\s*=/g, '').match(/\b[A-Za-z_]\w*\b/g) || [];
    if (!allowed || !bareNames.every(name => name === 'S' || assigned.has(name) || /^(True|False|None)$/.test(name))) {
      return false;
    }
    if (target) {
      assigned.add(target);
    }
  }
  imported.forEach(name => names.imported.add(name));
  assigned.forEach(name => names.assigned.add(name));
  return true;
}
