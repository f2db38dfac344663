import { Object, Property } from 'fabric-contract-api';

/** One asset on the ledger, as stored under its ID. */
@Object()
export class Asset {
  @Property()
  public ID: string = '';

  @Property()
  public Color: string = '';

  @Property()
  public Size: number = 0;

  @Property()
  public Owner: string = '';

  @Property()
  public AppraisedValue: number = 0;
}
