// Command asset-transfer is the chaincode process: it serves the contract to the peer.
package main

import (
	"log"
	"os"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

func main() {
	chaincode, err := contractapi.NewChaincode(&AssetTransferContract{})
	if err != nil {
		log.Panicf("creating the asset transfer chaincode: %v", err)
	}
	chaincode.Info.Title = "AssetTransfer"
	chaincode.Info.Version = "1.0.0"

	// As a chaincode-as-a-service (an exported bundle's image), the peer dials us at this address.
	if address := os.Getenv("CHAINCODE_SERVER_ADDRESS"); address != "" {
		server := &shim.ChaincodeServer{
			CCID:     os.Getenv("CHAINCODE_ID"),
			Address:  address,
			CC:       chaincode,
			TLSProps: tlsProperties(),
		}
		if err := server.Start(); err != nil {
			log.Panicf("serving the asset transfer chaincode: %v", err)
		}
		return
	}
	if err := chaincode.Start(); err != nil {
		log.Panicf("starting the asset transfer chaincode: %v", err)
	}
}

// tlsProperties serves TLS when CHAINCODE_TLS_CERT_FILE and CHAINCODE_TLS_KEY_FILE name a key pair.
func tlsProperties() shim.TLSProperties {
	certFile, keyFile := os.Getenv("CHAINCODE_TLS_CERT_FILE"), os.Getenv("CHAINCODE_TLS_KEY_FILE")
	if certFile == "" || keyFile == "" {
		return shim.TLSProperties{Disabled: true}
	}
	cert, err := os.ReadFile(certFile)
	if err != nil {
		log.Panicf("reading the TLS certificate: %v", err)
	}
	key, err := os.ReadFile(keyFile)
	if err != nil {
		log.Panicf("reading the TLS key: %v", err)
	}
	return shim.TLSProperties{Cert: cert, Key: key}
}
