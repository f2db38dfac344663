// Command asset-transfer is the chaincode process: it serves the contract to the peer.
package main

import (
	"log"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

func main() {
	chaincode, err := contractapi.NewChaincode(&AssetTransferContract{})
	if err != nil {
		log.Panicf("creating the asset transfer chaincode: %v", err)
	}
	chaincode.Info.Title = "AssetTransfer"
	chaincode.Info.Version = "1.0.0"
	if err := chaincode.Start(); err != nil {
		log.Panicf("starting the asset transfer chaincode: %v", err)
	}
}
