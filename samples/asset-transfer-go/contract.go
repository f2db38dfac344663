package main

import (
	"encoding/json"
	"fmt"
	"log"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// AssetTransferContract creates, reads, updates, transfers and deletes assets.
type AssetTransferContract struct {
	contractapi.Contract
}

// InitLedger puts a few assets on the ledger to start with.
func (s *AssetTransferContract) InitLedger(ctx contractapi.TransactionContextInterface) error {
	assets := []Asset{
		{ID: "asset1", Color: "blue", Size: 5, Owner: "Tomoko", AppraisedValue: 300},
		{ID: "asset2", Color: "red", Size: 5, Owner: "Brad", AppraisedValue: 400},
		{ID: "asset3", Color: "green", Size: 10, Owner: "Jin Soo", AppraisedValue: 500},
	}
	for _, asset := range assets {
		if err := putAsset(ctx, asset); err != nil {
			return err
		}
	}
	return nil
}

// CreateAsset stores a new asset and emits AssetCreated.
func (s *AssetTransferContract) CreateAsset(ctx contractapi.TransactionContextInterface, id string, color string, size int, owner string, appraisedValue int) error {
	exists, err := s.AssetExists(ctx, id)
	if err != nil {
		return err
	}
	if exists {
		return fmt.Errorf("the asset %s already exists", id)
	}
	asset := Asset{ID: id, Color: color, Size: size, Owner: owner, AppraisedValue: appraisedValue}
	data, err := json.Marshal(asset)
	if err != nil {
		return err
	}
	if err := ctx.GetStub().PutState(id, data); err != nil {
		return err
	}
	log.Printf("CreateAsset %s owned by %s", id, owner)
	return ctx.GetStub().SetEvent("AssetCreated", data)
}

// ReadAsset returns the asset stored under id.
func (s *AssetTransferContract) ReadAsset(ctx contractapi.TransactionContextInterface, id string) (*Asset, error) {
	data, err := ctx.GetStub().GetState(id)
	if err != nil {
		return nil, err
	}
	if data == nil {
		return nil, fmt.Errorf("the asset %s does not exist", id)
	}
	var asset Asset
	if err := json.Unmarshal(data, &asset); err != nil {
		return nil, err
	}
	return &asset, nil
}

// UpdateAsset replaces an existing asset.
func (s *AssetTransferContract) UpdateAsset(ctx contractapi.TransactionContextInterface, id string, color string, size int, owner string, appraisedValue int) error {
	exists, err := s.AssetExists(ctx, id)
	if err != nil {
		return err
	}
	if !exists {
		return fmt.Errorf("the asset %s does not exist", id)
	}
	return putAsset(ctx, Asset{ID: id, Color: color, Size: size, Owner: owner, AppraisedValue: appraisedValue})
}

// DeleteAsset removes an asset.
func (s *AssetTransferContract) DeleteAsset(ctx contractapi.TransactionContextInterface, id string) error {
	exists, err := s.AssetExists(ctx, id)
	if err != nil {
		return err
	}
	if !exists {
		return fmt.Errorf("the asset %s does not exist", id)
	}
	return ctx.GetStub().DelState(id)
}

// AssetExists says whether an asset is stored under id.
func (s *AssetTransferContract) AssetExists(ctx contractapi.TransactionContextInterface, id string) (bool, error) {
	data, err := ctx.GetStub().GetState(id)
	if err != nil {
		return false, err
	}
	return data != nil, nil
}

// TransferAsset gives the asset to newOwner, emits AssetTransferred and returns the previous owner.
func (s *AssetTransferContract) TransferAsset(ctx contractapi.TransactionContextInterface, id string, newOwner string) (string, error) {
	asset, err := s.ReadAsset(ctx, id)
	if err != nil {
		return "", err
	}
	oldOwner := asset.Owner
	asset.Owner = newOwner
	data, err := json.Marshal(asset)
	if err != nil {
		return "", err
	}
	if err := ctx.GetStub().PutState(id, data); err != nil {
		return "", err
	}
	if err := ctx.GetStub().SetEvent("AssetTransferred", data); err != nil {
		return "", err
	}
	return oldOwner, nil
}

// GetAllAssets returns every asset on the ledger.
func (s *AssetTransferContract) GetAllAssets(ctx contractapi.TransactionContextInterface) ([]*Asset, error) {
	iterator, err := ctx.GetStub().GetStateByRange("", "")
	if err != nil {
		return nil, err
	}
	defer iterator.Close()
	assets := []*Asset{}
	for iterator.HasNext() {
		entry, err := iterator.Next()
		if err != nil {
			return nil, err
		}
		var asset Asset
		if err := json.Unmarshal(entry.Value, &asset); err != nil {
			return nil, err
		}
		assets = append(assets, &asset)
	}
	return assets, nil
}

func putAsset(ctx contractapi.TransactionContextInterface, asset Asset) error {
	data, err := json.Marshal(asset)
	if err != nil {
		return err
	}
	return ctx.GetStub().PutState(asset.ID, data)
}
