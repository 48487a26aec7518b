// Package sample holds the sample dataset (schemas/orders.json and the objects under incoming/orders/,
// listed in README.md), embedded so that an installed sluice binary can run it without a checkout.
package sample

import "embed"

// FS holds schemas/ and incoming/ as the repository has them.
//
//go:embed schemas incoming
var FS embed.FS
