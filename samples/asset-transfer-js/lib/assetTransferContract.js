'use strict';

const { Contract } = require('fabric-contract-api');
const { sortedJson } = require('./json');

/**
 * Create, read, update, transfer and delete assets. Without decorators every
 * method is a transaction and every argument arrives as a string.
 */
class AssetTransferContract extends Contract {
  constructor() {
    super('AssetTransferContract');
  }

  /** Puts a few assets on the ledger to start with. */
  async InitLedger(ctx) {
    const assets = [
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

  async CreateAsset(ctx, id, color, size, owner, appraisedValue) {
    if (await this.AssetExists(ctx, id)) {
      throw new Error(`The asset ${id} already exists`);
    }
    const asset = { ID: id, Color: color, Size: Number(size), Owner: owner, AppraisedValue: Number(appraisedValue) };
    const json = sortedJson(asset);
    await ctx.stub.putState(id, Buffer.from(json));
    ctx.stub.setEvent('AssetCreated', Buffer.from(json));
    console.log(`CreateAsset ${id} owned by ${owner}`);
  }

  /** Returns the asset stored under `id` as JSON. */
  async ReadAsset(ctx, id) {
    const data = await ctx.stub.getState(id);
    if (!data || data.length === 0) {
      throw new Error(`The asset ${id} does not exist`);
    }
    return Buffer.from(data).toString('utf8');
  }

  async UpdateAsset(ctx, id, color, size, owner, appraisedValue) {
    if (!(await this.AssetExists(ctx, id))) {
      throw new Error(`The asset ${id} does not exist`);
    }
    const asset = { ID: id, Color: color, Size: Number(size), Owner: owner, AppraisedValue: Number(appraisedValue) };
    await ctx.stub.putState(id, Buffer.from(sortedJson(asset)));
  }

  async DeleteAsset(ctx, id) {
    if (!(await this.AssetExists(ctx, id))) {
      throw new Error(`The asset ${id} does not exist`);
    }
    await ctx.stub.deleteState(id);
  }

  async AssetExists(ctx, id) {
    const data = await ctx.stub.getState(id);
    return Boolean(data && data.length > 0);
  }

  /** Gives the asset to `newOwner` and returns the previous owner. */
  async TransferAsset(ctx, id, newOwner) {
    const asset = JSON.parse(await this.ReadAsset(ctx, id));
    const oldOwner = asset.Owner;
    asset.Owner = newOwner;
    const json = sortedJson(asset);
    await ctx.stub.putState(id, Buffer.from(json));
    ctx.stub.setEvent('AssetTransferred', Buffer.from(json));
    return oldOwner;
  }

  /** Returns every asset on the ledger as a JSON array. */
  async GetAllAssets(ctx) {
    const assets = [];
    for await (const { value } of ctx.stub.getStateByRange('', '')) {
      assets.push(JSON.parse(Buffer.from(value).toString('utf8')));
    }
    return sortedJson(assets);
  }
}

module.exports = { AssetTransferContract };
