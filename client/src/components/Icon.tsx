/** The icons the IDE uses, drawn as 16px SVG so the shell needs no icon font. */
const paths = {
  play: 'M4 2.5v11l9-5.5z',
  stop: 'M3.5 3.5h9v9h-9z',
  restart: 'M12.8 6.2A5 5 0 1 0 13 9h-1.6a3.4 3.4 0 1 1-.7-3.6L8.9 7H13V2.9z',
  plus: 'M7.25 2h1.5v5.25H14v1.5H8.75V14h-1.5V8.75H2v-1.5h5.25z',
  close: 'M4.3 3.2 8 6.9l3.7-3.7 1.1 1.1L9.1 8l3.7 3.7-1.1 1.1L8 9.1l-3.7 3.7-1.1-1.1L6.9 8 3.2 4.3z',
  chevronRight: 'M6 3.5 10.5 8 6 12.5l-1-1L8.5 8 5 4.5z',
  chevronDown: 'M3.5 6 8 10.5 12.5 6l-1-1L8 8.5 4.5 5z',
  file: 'M3.5 1.5h6l3 3v10h-9zm1 1v11h7V5h-2.5V2.5z',
  folder: 'M1.5 3h5l1.5 1.5h6.5v9h-13zm1 2.5v7h11v-7z',
  newFolder: 'M1.5 3h5l1.5 1.5h6.5v4h-1v-3h-11v7H8v1H1.5zM12 9h1v2h2v1h-2v2h-1v-2h-2v-1h2z',
  newFile: 'M3.5 1.5h6l3 3V8h-1V5h-2.5V2.5h-4.5v11H8v1H3.5zM12 9h1v2h2v1h-2v2h-1v-2h-2v-1h2z',
  continue: 'M2.5 2.5h1.5v11H2.5zM6 2.5v11l8-5.5z',
  stepOver: 'M8 11.5a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3zM2.5 8.2a5.6 5.6 0 0 1 9.9-3.2V2.5H14v5h-5V6h2.6A4.1 4.1 0 0 0 4 8.2z',
  stepInto: 'M8 11.5a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3zM7.25 1h1.5v5.6l2.2-2.2 1 1.1L8 9.5l-4-4 1-1.1 2.25 2.2z',
  stepOut: 'M8 11.5a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3zM7.25 10V3.9L5 6.1 4 5l4-4 4 4-1 1.1-2.25-2.2V10z',
  pause: 'M4 2.5h3v11H4zm5 0h3v11H9z',
  trash: 'M6 1.5h4V3h3.5v1.5h-1l-.7 10H4.2l-.7-10h-1V3H6zm-1 3 .6 8.5h4.8L11 4.5z',
  edit: 'M11.3 1.8 14.2 4.7 5.4 13.5 1.8 14.2l.7-3.6zm0 2.1-7.4 7.4-.3 1.1 1.1-.3 7.4-7.4z',
  history: 'M8 2a6 6 0 1 1-5.6 8.1l1.4-.5A4.5 4.5 0 1 0 4.5 4.9L6 6.5H2V2.5l1.4 1.4A6 6 0 0 1 8 2zm-.75 2.5h1.5v3.2l2.2 2.2-1 1L7.25 8.4z',
  clear: 'M2 4h12v1.5H2zm2 3.25h8v1.5H4zm2 3.25h4V12H6z',
  download: 'M7.25 1.5h1.5v7.4l2.7-2.7 1 1.1L8 11.8 3.55 7.3l1-1.1 2.7 2.7zM2.5 12.5h11V14h-11z',
  search: 'M6.5 1.5a5 5 0 0 1 4 8l3.5 3.5-1 1-3.5-3.5a5 5 0 1 1-3-9zm0 1.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7z',
} as const;

export type IconName = keyof typeof paths;

/** A 16px icon in the current text colour. */
export function Icon({ name, title }: { name: IconName; title?: string }) {
  return (
    <svg className="icon" width="16" height="16" viewBox="0 0 16 16" aria-hidden={title ? undefined : true} role={title ? 'img' : undefined}>
      {title ? <title>{title}</title> : null}
      <path d={paths[name]} fill="currentColor" fillRule="evenodd" />
    </svg>
  );
}
