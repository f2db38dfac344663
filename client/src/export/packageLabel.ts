/**
 * Fabric's rule for chaincode package labels (`persistence.LabelRegexp`,
 * `^[[:alnum:]][[:alnum:]_.+-]*$`), checked in the browser so the Export
 * dialog can say what is wrong before asking the server.
 */
const labelPattern = /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/;

/** Why `label` is not one the peer accepts, or null when it is. */
export function packageLabelProblem(label: string): string | null {
  if (label.length === 0) return 'Enter a label, for example basic_1.0.';
  if (!/^[A-Za-z0-9]/.test(label)) return 'A label starts with a letter or a digit.';
  if (!labelPattern.test(label)) return 'A label holds only letters, digits and _ . + -';
  return null;
}

/** The label suggested for a chaincode: `<name>_1.0`, with characters Fabric refuses dropped. */
export function suggestedPackageLabel(chaincodeName: string): string {
  const base = chaincodeName.replace(/[^A-Za-z0-9_.+-]/g, '').replace(/^[^A-Za-z0-9]+/, '');
  return `${base || 'chaincode'}_1.0`;
}
