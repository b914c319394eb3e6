import JSON
import Testing

@Suite("JSONValue and JSONObject")
struct ValueTests {
  let document: JSONValue = [
    "Time": "2026-11-29T08:00:00",
    "ENERGY": ["Power": 45, "Total": 12.345],
    "items": [["v": 1], ["v": 2], [10, 20]],
    "obj": ["0": "zero"],
    "flag": false,
    "nothing": .null,
  ]

  @Test(arguments: [
    ("ENERGY.Power", JSONValue.number(45)), ("ENERGY.Total", .number(12.345)),
    ("items.0.v", .number(1)), ("items.1.v", .number(2)), ("items.2.1", .number(20)),
    ("obj.0", .string("zero")), ("Time", .string("2026-11-29T08:00:00")), ("flag", .bool(false)),
    ("nothing", .null),
  ])
  func pathLookupFinds(path: String, expected: JSONValue) {
    #expect(document.value(atPath: path) == expected)
  }

  @Test(arguments: [
    "missing", "ENERGY.power", "ENERGY.Power.x", "items.3", "items.-1", "items.+1", "items.x",
    "items.", "items..v", ".ENERGY", "Time.0", "items.99999999999999999999", "ENERGY.",
  ])
  func pathLookupMisses(path: String) {
    #expect(document.value(atPath: path) == nil)
  }

  @Test func pathEdgeCases() {
    #expect(document.value(atPath: "") == document)
    #expect(JSONValue.number(1).value(atPath: "") == .number(1))
    #expect(JSONValue.number(1).value(atPath: "a") == nil)
    let withEmptyKey: JSONValue = ["": ["": 3]]
    #expect(withEmptyKey.value(atPath: ".") == .number(3))
    let array: JSONValue = [[1, 2], [3]]
    #expect(array.value(atPath: "0.1") == .number(2))
    #expect(array.value(atPath: "01.0") == .number(3))
  }

  @Test func accessors() {
    #expect(JSONValue.number(27.4).doubleValue == 27.4)
    #expect(JSONValue.string("27.4").doubleValue == nil)
    #expect(JSONValue.bool(true).doubleValue == nil)
    #expect(JSONValue.string("x").stringValue == "x")
    #expect(JSONValue.number(1).stringValue == nil)
    #expect(document.objectValue?.count == 6)
    #expect(JSONValue.array([]).objectValue == nil)
    #expect(JSONValue.bool(true).boolValue == true)
    #expect(JSONValue.number(1).boolValue == nil)
    #expect(JSONValue.array([1]).arrayValue == [1])
    #expect(JSONValue.null.isNull)
    #expect(!JSONValue.bool(false).isNull)
  }

  @Test(
    arguments: [
      (1_764_380_000_123, 1_764_380_000_123), (-3, -3), (0, 0), (27.4, nil), (1e300, nil),
      (Double.nan, nil), (Double.infinity, nil), (9_007_199_254_740_992, 9_007_199_254_740_992),
      (18_014_398_509_481_984, nil),
    ] as [(Double, Int?)])
  func intValueIsExactOnly(number: Double, expected: Int?) {
    #expect(JSONValue.number(number).intValue == expected)
  }

  @Test func objectSubscriptAppendsReplacesAndRemoves() {
    var object = JSONObject()
    object["b"] = 1
    object["a"] = 2
    object["b"] = 3
    #expect(object.keys == ["b", "a"])
    #expect(object["b"] == 3)
    #expect(object.count == 2)
    object["b"] = nil
    object["missing"] = nil
    #expect(object.keys == ["a"])
    #expect(object["b"] == nil)
  }

  @Test func objectInitKeepsFirstPositionAndLastValue() {
    let small = JSONObject([("x", 1), ("y", 2), ("x", 3)])
    #expect(small.members.map(\.key) == ["x", "y"])
    #expect(small["x"] == 3)
    var pairs = (0..<40).map { ("k\($0)", JSONValue.number(Double($0))) }
    pairs.append(("k7", "replaced"))
    let large = JSONObject(pairs)
    #expect(large.count == 40)
    #expect(large.keys[7] == "k7")
    #expect(large["k7"] == "replaced")
  }

  @Test func objectIteratesInOrder() {
    let object: JSONObject = ["z": 1, "a": 2, "m": 3]
    var keys: [String] = []
    for (key, _) in object { keys.append(key) }
    #expect(keys == ["z", "a", "m"])
    #expect(object.map(\.value) == [1, 2, 3])
    #expect(object.description == #"{"z":1,"a":2,"m":3}"#)
  }

  @Test func objectEqualityIgnoresOrder() {
    let a: JSONObject = ["x": 1, "y": [1, 2], "z": ["n": true]]
    let b: JSONObject = ["z": ["n": true], "x": 1, "y": [1, 2]]
    #expect(a == b)
    #expect(a != ["x": 1, "y": [2, 1], "z": ["n": true]])
    #expect(a != ["z": ["n": false], "x": 1, "y": [1, 2]])
    #expect(a != ["x": 1, "y": [1, 2]])
    #expect(a != ["x": 1, "y": [1, 2], "w": ["n": true]])
    let keys = (0..<30).map { "k\($0)" }
    let forward = JSONObject(keys.map { ($0, JSONValue.string($0)) })
    let backward = JSONObject(keys.reversed().map { ($0, JSONValue.string($0)) })
    #expect(forward == backward)
    var changed = backward
    changed["k3"] = "other"
    #expect(forward != changed)
    #expect(JSONValue.array([1, 2]) != JSONValue.array([2, 1]))
  }

  @Test func literalsBuildTheExpectedCases() {
    let value: JSONValue = ["n": 1, "d": 2.5, "s": "x", "b": true, "a": [.null]]
    #expect(
      value
        == .object(
          JSONObject([
            ("n", .number(1)), ("d", .number(2.5)), ("s", .string("x")), ("b", .bool(true)),
            ("a", .array([.null])),
          ])))
  }

  @Test func valuesAreSendable() async {
    let value = document
    let task = Task.detached { value.value(atPath: "ENERGY.Power") }
    #expect(await task.value == .number(45))
  }
}
