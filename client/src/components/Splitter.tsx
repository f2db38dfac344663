import type { PointerEvent } from 'react';

/** A drag handle between two panes; reports the pointer's movement in pixels. */
export function Splitter({ direction, onDrag }: { direction: 'vertical' | 'horizontal'; onDrag: (deltaPx: number) => void }) {
  const start = (ev: PointerEvent<HTMLDivElement>): void => {
    ev.preventDefault();
    const target = ev.currentTarget;
    target.setPointerCapture(ev.pointerId);
    let last = direction === 'vertical' ? ev.clientX : ev.clientY;
    const move = (e: globalThis.PointerEvent): void => {
      const now = direction === 'vertical' ? e.clientX : e.clientY;
      onDrag(now - last);
      last = now;
    };
    const up = (): void => {
      target.removeEventListener('pointermove', move);
      target.removeEventListener('pointerup', up);
      target.removeEventListener('pointercancel', up);
    };
    target.addEventListener('pointermove', move);
    target.addEventListener('pointerup', up);
    target.addEventListener('pointercancel', up);
  };
  return <div className={`splitter ${direction}`} onPointerDown={start} role="separator" aria-orientation={direction} />;
}
