package news2

// The score bands of RCP Chart 1. Inputs are already rounded as charted,
// so each band's upper bound is the last charted value in it.

func respiration(rr float64) int {
	switch {
	case rr <= 8:
		return 3
	case rr <= 11:
		return 1
	case rr <= 20:
		return 0
	case rr <= 24:
		return 2
	}
	return 3
}

func spo2Scale1(s float64) int {
	switch {
	case s <= 91:
		return 3
	case s <= 93:
		return 2
	case s <= 95:
		return 1
	}
	return 0
}

// spo2Scale2 scores SpO2 on scale 2: the target is 88–92 %, and above 92 %
// a patient on oxygen scores more the higher the saturation, while one on
// air scores 0. Above 92 % with the supplement not recorded, SpO2 cannot
// be scored (reported missing rather than guessed).
func spo2Scale2(s float64, sup Supplement) (int, bool, error) {
	switch {
	case s <= 83:
		return 3, true, nil
	case s <= 85:
		return 2, true, nil
	case s <= 87:
		return 1, true, nil
	case s <= 92:
		return 0, true, nil
	}
	switch sup {
	case Air:
		return 0, true, nil
	case Oxygen:
		switch {
		case s <= 94:
			return 1, true, nil
		case s <= 96:
			return 2, true, nil
		}
		return 3, true, nil
	}
	return 0, false, nil
}

func systolic(bp float64) int {
	switch {
	case bp <= 90:
		return 3
	case bp <= 100:
		return 2
	case bp <= 110:
		return 1
	case bp <= 219:
		return 0
	}
	return 3
}

func pulse(p float64) int {
	switch {
	case p <= 40:
		return 3
	case p <= 50:
		return 1
	case p <= 90:
		return 0
	case p <= 110:
		return 1
	case p <= 130:
		return 2
	}
	return 3
}

// temperature bands; t is rounded to 0.1 °C, so compare with a margin
// below the next charted value rather than on binary fractions.
func temperature(t float64) int {
	switch {
	case t < 35.05:
		return 3
	case t < 36.05:
		return 1
	case t < 38.05:
		return 0
	case t < 39.05:
		return 1
	}
	return 2
}
