import Decode
import DeviceModel
import TestSupport

/// The receipt time used throughout: 2025-11-29T08:00:00Z.
let receivedAt: EpochMillis = 1_764_403_200_000

/// Decodes `payload` (UTF-8 text) with `decoder`, as the ingest loop would.
func decode(
  _ topic: String, _ payload: String, with decoder: NativeDecoder = NativeDecoder()
) -> DecodeResult? {
  decoder.decode(topic: topic, payload: Array(payload.utf8), receivedAt: receivedAt)
}

let telemetryTopic = "classgate/r101/env_sensor/env-101/telemetry"
let envSensor101 = DeviceIdentity(id: "env-101", kind: .envSensor, room: "r101", profile: "native")

func telemetry(_ readings: [Reading], device: DeviceIdentity = envSensor101) -> DecodeResult {
  .decoded(DecodedMessage(device: device, content: .readings(readings)))
}
