/**
 * The expression under the cursor for a hover: the identifier there, with the
 * property chain before it (`ctx.stub` when hovering `stub`). 1-based columns.
 */
export function expressionAt(line: string, column: number): { text: string; startColumn: number; endColumn: number } | undefined {
  const index = column - 1;
  const isIdent = (ch: string | undefined): boolean => ch !== undefined && /[\w$]/.test(ch);
  if (!isIdent(line[index])) return undefined;
  let end = index;
  while (isIdent(line[end + 1])) end++;
  let start = index;
  for (;;) {
    while (isIdent(line[start - 1])) start--;
    if (line[start - 1] === '.' && isIdent(line[start - 2])) start -= 2;
    else if (line[start - 1] === '.' && line[start - 2] === '?' && isIdent(line[start - 3])) start -= 3;
    else break;
  }
  const text = line.slice(start, end + 1);
  if (/^\d/.test(text)) return undefined;
  return { text, startColumn: start + 1, endColumn: end + 2 };
}
