// Small SQL-building helpers shared by the repositories.

/** "?, ?, ?" for an IN list of n values; a list that matches nothing when n is 0 (IN () is a syntax error). */
export function placeholders(n: number): string {
  return n === 0 ? "''" : new Array(n).fill('?').join(',');
}
