import Testing

@testable import Uplink
