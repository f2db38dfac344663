import { useEffect, useState } from 'react';
import type { Variable } from '../../../protocol/messages.ts';
import { describeError } from '../rpc/rpcError.ts';
import { useController } from '../state/StudioContext.tsx';
import { Icon } from './Icon.tsx';

/** A scope or variable; its children are fetched with `variables` only when it is expanded. */
export function VariableTree(props: {
  name: string;
  value: string;
  type?: string;
  variablesReference: number;
  depth: number;
  initiallyOpen: boolean;
  isScope?: boolean;
}) {
  const controller = useController();
  const expandable = props.variablesReference > 0;
  const [open, setOpen] = useState(props.initiallyOpen && expandable);
  const [children, setChildren] = useState<Variable[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open || children || !expandable) return undefined;
    let live = true;
    controller.debug.variables(props.variablesReference).then(
      (vars) => live && setChildren(vars),
      (err: unknown) => live && setError(describeError(err).message),
    );
    return () => {
      live = false;
    };
  }, [open, children, expandable, controller, props.variablesReference]);

  return (
    <div className="variable">
      <div
        className={`variable-row${props.isScope ? ' scope' : ''}`}
        style={{ paddingLeft: 4 + props.depth * 12 }}
        data-testid={props.isScope ? 'scope-item' : 'variable'}
        data-name={props.name}
        onClick={() => expandable && setOpen(!open)}
        title={props.type}
      >
        {expandable ? <Icon name={open ? 'chevronDown' : 'chevronRight'} /> : <span className="tree-spacer" />}
        <span className="var-name">{props.name}</span>
        {props.isScope ? null : (
          <>
            <span className="var-colon">:</span>
            <span className={`var-value ${valueClass(props.value, props.type)}`} data-testid="variable-value">
              {props.value}
            </span>
          </>
        )}
      </div>
      {open ? (
        <div>
          {error ? (
            <p className="error small" style={{ paddingLeft: 16 + props.depth * 12 }}>
              {error}
            </p>
          ) : null}
          {!children && !error ? (
            <p className="empty small" style={{ paddingLeft: 16 + props.depth * 12 }}>
              Loading…
            </p>
          ) : null}
          {children?.map((v, i) => (
            <VariableTree
              key={`${v.name}:${i}`}
              name={v.name}
              value={v.value}
              type={v.type}
              variablesReference={v.variablesReference}
              depth={props.depth + 1}
              initiallyOpen={false}
            />
          ))}
        </div>
      ) : null}
    </div>
  );
}

function valueClass(value: string, type: string | undefined): string {
  if (type === 'string' || value.startsWith("'") || value.startsWith('"')) return 'string';
  if (type === 'number' || type === 'bigint' || /^-?\d/.test(value)) return 'number';
  if (type === 'boolean' || value === 'true' || value === 'false') return 'boolean';
  if (value === 'undefined' || value === 'null') return 'nullish';
  return '';
}
