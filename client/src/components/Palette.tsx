import { useEffect, useId, useRef, useState } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';

/** What a palette shows for each choice. */
export interface PaletteItem {
  key: string;
  /** Read out for the choice, and used as its title. */
  label: string;
  content: ReactNode;
}

export interface PaletteProps {
  title: string;
  testId: string;
  placeholder: string;
  query: string;
  onQuery: (query: string) => void;
  items: readonly PaletteItem[];
  onPick: (index: number) => void;
  onClose: () => void;
  /** A line under the input: a count, "searching…", why nothing matched. */
  status?: ReactNode;
  /** Controls beside the status line (e.g. "match case"). */
  options?: ReactNode;
}

/**
 * A command-palette style chooser at the top of the window: a text box with a
 * list under it (the WAI-ARIA combobox pattern: the focus stays in the box,
 * arrows move the highlighted choice, Enter picks it, Escape closes).
 */
export function Palette(props: PaletteProps) {
  const { items, onPick, onClose } = props;
  const [active, setActive] = useState(0);
  const listId = useId();
  const list = useRef<HTMLUListElement>(null);
  const current = Math.min(active, Math.max(0, items.length - 1));

  useEffect(() => setActive(0), [props.query]);
  useEffect(() => {
    list.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [current]);

  const onKey = (ev: KeyboardEvent<HTMLInputElement>): void => {
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 };
    const move = moves[ev.key];
    if (move !== undefined && items.length > 0) {
      ev.preventDefault();
      setActive(Math.max(0, Math.min(items.length - 1, current + move)));
    } else if (ev.key === 'Enter') {
      ev.preventDefault();
      if (items[current]) onPick(current);
    } else if (ev.key === 'Escape') {
      ev.preventDefault();
      onClose();
    }
  };

  return (
    <div className="modal-backdrop palette-backdrop" onMouseDown={onClose}>
      <div className="palette" role="dialog" aria-label={props.title} data-testid={props.testId} onMouseDown={(e) => e.stopPropagation()}>
        <input
          className="palette-input"
          data-testid={`${props.testId}-input`}
          role="combobox"
          aria-label={props.title}
          aria-expanded={items.length > 0}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={items[current] ? `${listId}-${current}` : undefined}
          autoFocus
          spellCheck={false}
          placeholder={props.placeholder}
          value={props.query}
          onChange={(e) => props.onQuery(e.target.value)}
          onKeyDown={onKey}
        />
        {props.status || props.options ? (
          <div className="palette-status muted small">
            <span role="status" data-testid={`${props.testId}-status`}>
              {props.status}
            </span>
            {props.options}
          </div>
        ) : null}
        <ul className="palette-list" id={listId} role="listbox" aria-label={props.title} ref={list}>
          {items.map((item, i) => (
            <li
              key={item.key}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === current}
              aria-label={item.label}
              title={item.label}
              className={i === current ? 'palette-item active' : 'palette-item'}
              data-testid={`${props.testId}-item`}
              onMouseMove={() => i !== current && setActive(i)}
              onClick={() => onPick(i)}
            >
              {item.content}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
