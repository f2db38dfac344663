'use strict';

const { AssetTransferContract } = require('./lib/assetTransferContract');

// fabric-chaincode-node starts every contract listed here.
module.exports.AssetTransferContract = AssetTransferContract;
module.exports.contracts = [AssetTransferContract];
