import DeviceModel
import Testing

@testable import Rollup
