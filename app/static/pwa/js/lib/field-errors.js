// The API's field errors (a 422's errors.json) as flat (path, messages) pairs, so a form
// can put each message next to the field it is about:
//   {lead_cap: ["..."]}                                   -> ["lead_cap", ["..."]]
//   {lose_reasons: {"1": ["..."]}}                         -> ["lose_reasons.1", ["..."]]
//   {expense_limits: {meals: {value: {amount: ["..."]}}}}  -> ["expense_limits.meals.value.amount", ["..."]]

const join = (prefix, key) => (prefix ? `${prefix}.${key}` : String(key));

export function flattenErrors(errors, prefix = '') {
  if (typeof errors === 'string') return [[prefix, [errors]]];
  if (Array.isArray(errors)) {
    if (errors.every((e) => typeof e === 'string')) return errors.length ? [[prefix, errors]] : [];
    return errors.flatMap((e, i) => flattenErrors(e, join(prefix, i)));
  }
  if (errors && typeof errors === 'object') {
    return Object.entries(errors).flatMap(([key, value]) => flattenErrors(value, join(prefix, key)));
  }
  return [];
}

/** The path itself if `known` has it, else its longest known parent, else null. */
export function nearestPath(path, known) {
  let p = path;
  while (p) {
    if (known.has(p)) return p;
    const dot = p.lastIndexOf('.');
    p = dot < 0 ? '' : p.slice(0, dot);
  }
  return null;
}
