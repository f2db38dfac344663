import { useEffect, useRef } from 'react';
import type { KeyboardEvent as ReactKeyboardEvent } from 'react';

/** One entry of a context menu. */
export interface MenuItem {
  label: string;
  testId: string;
  danger?: boolean;
  /** Shown greyed out; `title` may say why. */
  disabled?: boolean;
  title?: string;
  run: () => void;
}

/** A small menu at the mouse; its first item takes the focus, arrows move; closes on choice, outside click or Escape. */
export function ContextMenu({ x, y, items, onClose }: { x: number; y: number; items: MenuItem[]; onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onDown = (ev: MouseEvent): void => {
      if (!ref.current?.contains(ev.target as Node)) onClose();
    };
    const onKey = (ev: KeyboardEvent): void => {
      if (ev.key === 'Escape') onClose();
    };
    window.addEventListener('mousedown', onDown);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('mousedown', onDown);
      window.removeEventListener('keydown', onKey);
    };
  }, [onClose]);
  useEffect(() => {
    ref.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
  }, []);
  const onArrow = (ev: ReactKeyboardEvent<HTMLDivElement>): void => {
    if (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp') return;
    ev.preventDefault();
    const buttons = [...(ref.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    buttons[(at + (ev.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length]?.focus();
  };
  return (
    <div ref={ref} className="context-menu" role="menu" data-testid="context-menu" style={{ left: x, top: y }} onKeyDown={onArrow}>
      {items.map((item) => (
        <button
          key={item.testId}
          role="menuitem"
          className={item.danger ? 'danger' : undefined}
          data-testid={item.testId}
          disabled={item.disabled}
          title={item.title}
          onClick={() => {
            onClose();
            item.run();
          }}
        >
          {item.label}
        </button>
      ))}
    </div>
  );
}
