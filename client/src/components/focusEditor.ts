/** Puts the keyboard focus in the code editor once it shows the file just opened (after a palette closes, say). */
export function focusEditor(): void {
  requestAnimationFrame(() => document.querySelector<HTMLElement>('[data-testid="editor"] textarea')?.focus());
}
