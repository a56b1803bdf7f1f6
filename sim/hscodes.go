package sim

// hsLastHeading is the last heading of each HS chapter in the 2022 edition of
// the Harmonized System (index = chapter; 0 for chapter 77 and unused indices).
// The generator draws a heading uniformly from 01 to this number, so generated
// codes are well formed and close to real ones (a few numbers inside a
// chapter's range are deleted headings, such as 0503).
var hsLastHeading = [98]uint8{
	0,
	6, 10, 9, 10, 11, 4, 14, 14, 10, 8, // 01-10
	9, 14, 2, 4, 22, 5, 4, 6, 5, 9, // 11-20
	6, 9, 9, 4, 30, 21, 16, 53, 42, 6, // 21-30
	5, 15, 7, 7, 7, 6, 7, 27, 26, 17, // 31-40
	15, 6, 4, 21, 4, 2, 7, 23, 11, 7, // 41-50
	13, 12, 11, 8, 16, 9, 5, 11, 11, 6, // 51-60
	17, 17, 10, 6, 7, 3, 4, 15, 14, 20, // 61-70
	18, 29, 26, 19, 8, 16, 0, 6, 7, 7, // 71-80
	13, 15, 11, 87, 49, 9, 16, 7, 8, 33, // 81-90
	14, 9, 7, 6, 8, 20, 6, // 91-97
}

// hsSubheadings are the two last digits a generated HS code may take: the
// common subheading numbers (00 for headings not subdivided, x0 one-dash
// subheadings, x1/x9 two-dash ones, 90 "other").
var hsSubheadings = [8]uint32{0, 10, 11, 19, 20, 29, 30, 90}
