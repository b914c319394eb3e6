import PJLink
import Testing

@Suite("PJLink passwords stay out of text")
struct SecretsTests {
  @Test func descriptionsOmitPasswords() {
    let projector = PJLinkProjector(id: "proj-1", host: "10.0.0.1", password: "hunter22")
    var settings = PJLinkSettings(projectors: [projector])
    settings.brokerUsername = "classgate-pjlink"
    settings.brokerPassword = "broker-secret"
    let text = "\(settings) \(projector) \(String(describing: settings))"
    #expect(!text.contains("hunter22"))
    #expect(!text.contains("broker-secret"))
    #expect(text.contains("proj-1") && text.contains("authenticated") && text.contains("classgate-pjlink"))
  }
}
