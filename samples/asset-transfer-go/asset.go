package main

// Asset is what the ledger keeps under an asset's ID. Fields are in alphabetical order
// so the JSON is the same on every peer (deterministic endorsements).
type Asset struct {
	AppraisedValue int    `json:"AppraisedValue"`
	Color          string `json:"Color"`
	ID             string `json:"ID"`
	Owner          string `json:"Owner"`
	Size           int    `json:"Size"`
}
