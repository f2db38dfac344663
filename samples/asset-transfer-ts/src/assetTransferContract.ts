import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import type { Asset } from './asset';
import { sortedJson } from './json';

@Info({ title: 'AssetTransfer', description: 'Create, read, update, transfer and delete assets' })
export class AssetTransferContract extends Contract {
  /** Puts a few assets on the ledger to start with. */
  @Transaction()
  public async InitLedger(ctx: Context): Promise<void> {
    const assets: Asset[] = [
      { ID: 'asset1', Color: 'blue', Size: 5, Owner: 'Tomoko', AppraisedValue: 300 },
      { ID: 'asset2', Color: 'red', Size: 5, Owner: 'Brad', AppraisedValue: 400 },
      { ID: 'asset3', Color: 'green', Size: 10, Owner: 'Jin Soo', AppraisedValue: 500 },
      { ID: 'asset4', Color: 'yellow', Size: 10, Owner: 'Max', AppraisedValue: 600 },
      { ID: 'asset5', Color: 'black', Size: 15, Owner: 'Adriana', AppraisedValue: 700 },
    ];
    for (const asset of assets) {
      await ctx.stub.putState(asset.ID, Buffer.from(sortedJson(asset)));
    }
  }

  @Transaction()
  public async CreateAsset(ctx: Context, id: string, color: string, size: number, owner: string, appraisedValue: number): Promise<void> {
    if (await this.AssetExists(ctx, id)) {
      throw new Error(`The asset ${id} already exists`);
    }
    const asset: Asset = { ID: id, Color: color, Size: size, Owner: owner, AppraisedValue: appraisedValue };
    const json = sortedJson(asset);
    await ctx.stub.putState(id, Buffer.from(json));
    ctx.stub.setEvent('AssetCreated', Buffer.from(json));
    console.log(`CreateAsset ${id} owned by ${owner}`);
  }

  /** Returns the asset stored under `id` as JSON. */
  @Transaction(false)
  @Returns('string')
  public async ReadAsset(ctx: Context, id: string): Promise<string> {
    const data = await ctx.stub.getState(id);
    if (data.length === 0) {
      throw new Error(`The asset ${id} does not exist`);
    }
    return Buffer.from(data).toString('utf8');
  }

  @Transaction()
  public async UpdateAsset(ctx: Context, id: string, color: string, size: number, owner: string, appraisedValue: number): Promise<void> {
    if (!(await this.AssetExists(ctx, id))) {
      throw new Error(`The asset ${id} does not exist`);
    }
    const asset: Asset = { ID: id, Color: color, Size: size, Owner: owner, AppraisedValue: appraisedValue };
    await ctx.stub.putState(id, Buffer.from(sortedJson(asset)));
  }

  @Transaction()
  public async DeleteAsset(ctx: Context, id: string): Promise<void> {
    if (!(await this.AssetExists(ctx, id))) {
      throw new Error(`The asset ${id} does not exist`);
    }
    await ctx.stub.deleteState(id);
  }

  @Transaction(false)
  @Returns('boolean')
  public async AssetExists(ctx: Context, id: string): Promise<boolean> {
    const data = await ctx.stub.getState(id);
    return data.length > 0;
  }

  /** Gives the asset to `newOwner` and returns the previous owner. */
  @Transaction()
  @Returns('string')
  public async TransferAsset(ctx: Context, id: string, newOwner: string): Promise<string> {
    const asset = JSON.parse(await this.ReadAsset(ctx, id)) as Asset;
    const oldOwner = asset.Owner;
    asset.Owner = newOwner;
    const json = sortedJson(asset);
    await ctx.stub.putState(id, Buffer.from(json));
    ctx.stub.setEvent('AssetTransferred', Buffer.from(json));
    return oldOwner;
  }

  /** Returns every asset on the ledger as a JSON array. */
  @Transaction(false)
  @Returns('string')
  public async GetAllAssets(ctx: Context): Promise<string> {
    const assets: unknown[] = [];
    for await (const { value } of ctx.stub.getStateByRange('', '')) {
      assets.push(JSON.parse(Buffer.from(value).toString('utf8')));
    }
    return sortedJson(assets);
  }
}
