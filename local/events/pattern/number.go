package pattern

import (
	"math"
	"strconv"
)

// Numbers are compared the way event-ruler compares them: within
// -5,000,000,000 and 5,000,000,000 inclusive, to six decimal places
// (https://github.com/aws/event-ruler, ComparableNumber).
const (
	numberLimit = 5e9
	microScale  = 1e6
)

// errNumberRange is event-ruler's reason for a numeric operand out of range.
const errNumberRange = "Value must be between -5.0E9 and 5.0E9, inclusive"

// comparable converts a JSON number to millionths; ok is false when the number
// cannot be compared numerically (out of range or not a number).
func comparable(text string) (micro int64, ok bool) {
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(f) || f < -numberLimit || f > numberLimit {
		return 0, false
	}
	return int64(math.Round(f * microScale)), true
}
