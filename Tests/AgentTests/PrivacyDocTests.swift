import Agent
import DeviceModel
import Foundation
import Testing

/// docs/privacy.md is the school's record under Law 91/2025/QH15: it must state what the code does.
@Suite("docs/privacy.md")
struct PrivacyDocTests {
  @Test func statesTheFieldsRemovedTheRetentionTheStoreAndTheWithheldText() throws {
    let page = try String(
      contentsOfFile: SecurityChecksTests.packageRoot + "/docs/privacy.md", encoding: .utf8)
    for field in PersonalData.fieldNames {
      #expect(page.contains("`\(field)`"), "\(field) is removed by the decoder but not listed")
    }
    let retention = ConfigRegistry["privacy.scan_retention_days"]
    guard case .integer(let range) = retention.kind else {
      Issue.record("scan_retention_days is not an integer key")
      return
    }
    #expect(
      page.contains(
        "(\(retention.defaultValue ?? "?") days by default, \(range.lowerBound)–\(range.upperBound))"))
    #expect(page.contains(ConfigPeek.defaultStorePath))
    #expect(
      page.contains("[\(String(decoding: PersonalData.withheld.dropFirst().dropLast(), as: UTF8.self))]"))
  }
}
