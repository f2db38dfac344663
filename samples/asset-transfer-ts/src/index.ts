import { AssetTransferContract } from './assetTransferContract';

export { AssetTransferContract } from './assetTransferContract';

/** fabric-chaincode-node starts every contract listed here. */
export const contracts = [AssetTransferContract];
