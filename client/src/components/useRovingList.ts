import { useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';

/** What each item of a keyboard-reachable list spreads on its element. */
export interface RovingItemProps {
  ref: (el: HTMLElement | null) => void;
  tabIndex: number;
  onFocus: () => void;
  onKeyDown: (ev: KeyboardEvent<HTMLElement>) => void;
}

/**
 * A list that is one tab stop: arrows, Home and End move the focus between its items, Enter and
 * Space activate the focused one (as a click does). The WAI-ARIA "roving tabindex" pattern, for
 * listboxes such as Problems, the call stack and the invoke history.
 */
export function useRovingList(count: number, onActivate: (index: number) => void, current?: number): (index: number) => RovingItemProps {
  const [focused, setFocused] = useState<number | null>(null);
  const elements = useRef<(HTMLElement | null)[]>([]);
  const stop = focused !== null && focused < count ? focused : current !== undefined && current >= 0 && current < count ? current : 0;
  const moveTo = (index: number): void => {
    const target = Math.max(0, Math.min(count - 1, index));
    setFocused(target);
    elements.current[target]?.focus();
  };
  return (index) => ({
    ref: (el) => {
      elements.current[index] = el;
    },
    tabIndex: index === stop ? 0 : -1,
    onFocus: () => setFocused(index),
    onKeyDown: (ev) => {
      const keys: Record<string, () => void> = {
        ArrowDown: () => moveTo(index + 1),
        ArrowUp: () => moveTo(index - 1),
        Home: () => moveTo(0),
        End: () => moveTo(count - 1),
        Enter: () => onActivate(index),
        ' ': () => onActivate(index),
      };
      const action = keys[ev.key];
      if (!action) return;
      ev.preventDefault();
      action();
    },
  });
}
