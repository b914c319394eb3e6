import Decode
import DeviceModel
import TestSupport
import Testing

/// Payloads: Tasmota's firmware, tasmota/tasmota_xdrv_driver/xdrv_03_energy.ino (ENERGY, arrays per
/// channel), tasmota/tasmota_xsns_sensor/xsns_*.ino (sensor JSON: xsns_05_ds18x20, xsns_06_dht,
/// xsns_09_bmp, xsns_15_mhz19, xsns_17_senseair, xsns_18_pms5003, xsns_42_scd30, xsns_92_scd40),
/// tasmota/tasmota_support/support_tasmota.cpp (MqttShowState: STATE, POWER<n>) and
/// https://tasmota.github.io/docs/MQTT/ (FullTopic, LWT, stat/<topic>/POWER).
@Suite("Tasmota profile (Devices/tasmota.toml)")
struct TasmotaTests {
  static let plug = DeviceIdentity(id: "tasmota_8A3F2C", kind: .plug, room: nil, profile: "tasmota")

  @Test(
    "SENSOR with an ENERGY block: Power, Total, Voltage, Current, ApparentPower, Factor; Today/Yesterday ignored"
  )
  func energy() throws {
    // Time is local time without a zone: the readings get the receipt time, not 15:00.
    let payload = #"""
      {"Time":"2025-11-29T15:00:00","ENERGY":{"TotalStartTime":"2024-09-01T10:12:41","Total":12.345,
       "Yesterday":0.512,"Today":0.231,"Period":2,"Power":45,"ApparentPower":60,"ReactivePower":40,
       "Factor":0.75,"Voltage":231,"Current":0.26}}
      """#
    #expect(
      try decode("tele/tasmota_8A3F2C/SENSOR", payload, profile: "tasmota")
        == telemetry(
          Self.plug,
          received([
            "power": 45, "energy": 12.345, "voltage": 231, "current": 0.26, "apparent_power": 60,
            "power_factor": 0.75,
          ])))
  }

  @Test("SENSOR with optional ENERGY fields missing (a meter without voltage/current)")
  func energyPartial() throws {
    #expect(
      try decode(
        "tele/tasmota_8A3F2C/SENSOR", #"{"Time":"2025-11-29T15:00:00","ENERGY":{"Total":0.004,"Power":3}}"#,
        profile: "tasmota")
        == telemetry(Self.plug, received(["power": 3, "energy": 0.004])))
  }

  @Test(
    "SENSOR with common climate sensors",
    arguments: [
      (
        #"{"Time":"2025-11-29T15:00:00","AM2301":{"Temperature":27.4,"Humidity":61.2,"DewPoint":19.3},"TempUnit":"C"}"#,
        received(["temperature": 27.4, "humidity": 61.2])
      ),
      (
        #"{"Time":"2025-11-29T15:00:00","DHT11":{"Temperature":26.0,"Humidity":58.0,"DewPoint":17.1},"TempUnit":"C"}"#,
        received(["temperature": 26, "humidity": 58])
      ),
      (
        #"{"Time":"2025-11-29T15:00:00","SHT3X":{"Temperature":24.1,"Humidity":49.9,"DewPoint":12.9},"TempUnit":"C"}"#,
        received(["temperature": 24.1, "humidity": 49.9])
      ),
      (
        #"{"Time":"2025-11-29T15:00:00","BME280":{"Temperature":25.3,"Humidity":55.1,"DewPoint":15.6,"Pressure":1009.8},"PressureUnit":"hPa","TempUnit":"C"}"#,
        received(["temperature": 25.3, "humidity": 55.1, "pressure": 1009.8])
      ),
      (
        #"{"Time":"2025-11-29T15:00:00","DS18B20":{"Id":"01144A0CB2AA","Temperature":22.5},"TempUnit":"C"}"#,
        received(["temperature": 22.5])
      ),
      (
        #"{"Time":"2025-11-29T15:00:00","SCD30":{"CarbonDioxide":612,"eCO2":598,"Temperature":23.1,"Humidity":45.3,"DewPoint":10.7},"TempUnit":"C"}"#,
        received(["co2": 612, "temperature": 23.1, "humidity": 45.3])
      ),
      (
        #"{"Time":"2025-11-29T15:00:00","SCD40":{"CarbonDioxide":1034,"eCO2":1010,"Temperature":28.2,"Humidity":63.0,"DewPoint":20.6},"TempUnit":"C"}"#,
        received(["co2": 1034, "temperature": 28.2, "humidity": 63])
      ),
      (
        #"{"Time":"2025-11-29T15:00:00","MHZ19B":{"Model":"B","CarbonDioxide":473,"Temperature":38.0},"TempUnit":"C"}"#,
        received(["co2": 473])
      ),
      (#"{"Time":"2025-11-29T15:00:00","BH1750":{"Illuminance":250}}"#, received(["illuminance": 250])),
    ])
  func climateSensors(payload: String, expected: [Reading]) throws {
    let device = DeviceIdentity(id: "env-lab-2", kind: .plug, room: nil, profile: "tasmota")
    #expect(try decode("tele/env-lab-2/SENSOR", payload, profile: "tasmota") == telemetry(device, expected))
  }

  @Test("a SENSOR message without any mapped sensor marks the device as seen")
  func sensorNothingMapped() throws {
    #expect(
      try decode(
        "tele/tasmota_8A3F2C/SENSOR", #"{"Time":"2025-11-29T15:00:00","Switch1":"ON","ANALOG":{"A0":512}}"#,
        profile: "tasmota")
        == telemetry(Self.plug, [], notes: notMapped("ANALOG.A0")))
  }

  @Test("STATE: POWER → power_on, Wifi.Signal (dBm) → rssi; Wifi.RSSI (a percentage) unused")
  func state() throws {
    let payload = #"""
      {"Time":"2025-11-29T15:00:00","Uptime":"0T01:02:03","UptimeSec":3723,"Heap":25,"SleepMode":"Dynamic",
       "Sleep":50,"LoadAvg":19,"MqttCount":1,"POWER":"ON",
       "Wifi":{"AP":1,"SSId":"School","BSSId":"AA:BB:CC:DD:EE:FF","Channel":6,"Mode":"11n","RSSI":82,
       "Signal":-59,"LinkCount":1,"Downtime":"0T00:00:03"}}
      """#
    #expect(
      try decode("tele/tasmota_8A3F2C/STATE", payload, profile: "tasmota")
        == telemetry(Self.plug, received(["power_on": 1, "rssi": -59])))
  }

  @Test("STATE of a multi-relay device: POWER1 is the device, POWER2 the channel device <topic>.2; any case")
  func statePower1() throws {
    #expect(
      try decode(
        "tele/tasmota_8A3F2C/STATE", #"{"POWER1":"off","POWER2":"ON","Wifi":{"RSSI":100}}"#,
        profile: "tasmota")
        == telemetry(
          Self.plug, received(["power_on": 0]), channels: [channel(Self.plug, "2", received(["power_on": 1]))]
        ))
    #expect(
      try decode("tele/tasmota_8A3F2C/STATE", #"{"POWER":"On"}"#, profile: "tasmota")
        == telemetry(Self.plug, received(["power_on": 1])))
  }

  @Test("a POWER text the profile does not map is a dead letter naming the field")
  func unmappablePower() throws {
    #expect(
      try deadLetter(
        decode("tele/tasmota_8A3F2C/STATE", #"{"POWER":"BLINK","Wifi":{"Signal":-60}}"#, profile: "tasmota"))
        == DeadLetterReason(.invalidValue, "field 'POWER' has a value the profile does not map"))
  }

  @Test("multi-channel ENERGY arrays: element N is channel N+1; the first is the device itself")
  func energyArrays() throws {
    // A two-channel meter (xdrv_03_energy.ino prints one array element per phase/channel).
    #expect(
      try decode(
        "tele/plug-3/SENSOR", #"{"ENERGY":{"Total":[1.5,0.25],"Power":[45,0],"Voltage":230}}"#,
        profile: "tasmota")
        == telemetry(
          DeviceIdentity(id: "plug-3", kind: .plug, room: nil, profile: "tasmota"),
          received(["power": 45, "energy": 1.5, "voltage": 230]),
          channels: [
            channel(
              DeviceIdentity(id: "plug-3", kind: .plug, room: nil, profile: "tasmota"), "2",
              received(["power": 0, "energy": 0.25]))
          ]))
    // A nested array is not a channel list: a dead letter naming the field.
    #expect(
      try deadLetter(decode("tele/plug-3/SENSOR", #"{"ENERGY":{"Power":[[1]]}}"#, profile: "tasmota"))
        == DeadLetterReason(.wrongType, "field 'ENERGY.Power' must be a number"))
  }

  @Test(
    "TempUnit F (SetOption8 1) is converted to °C; PressureUnit mmHg to hPa; an unknown unit is noted, not stored"
  )
  func units() throws {
    let device = DeviceIdentity(id: "env-lab-2", kind: .plug, room: nil, profile: "tasmota")
    let fahrenheit = try #require(
      message(
        decode(
          "tele/env-lab-2/SENSOR",
          #"{"Time":"2025-11-29T15:00:00","AM2301":{"Temperature":71.8,"Humidity":40.0},"TempUnit":"F"}"#,
          profile: "tasmota")))
    guard case .readings(let readings) = fahrenheit.content else { throw TestFailure("no readings") }
    #expect(readings.map(\.metric) == ["temperature", "humidity"])
    #expect(abs(readings[0].value - 22.111) < 0.001)
    let mmHg = try #require(
      message(
        decode(
          "tele/env-lab-2/SENSOR",
          #"{"BMP280":{"Temperature":22.0,"Pressure":757.4},"PressureUnit":"mmHg","TempUnit":"C"}"#,
          profile: "tasmota")))
    guard case .readings(let pressure) = mmHg.content else { throw TestFailure("no readings") }
    #expect(abs(pressure[1].value - 1009.78) < 0.01)
    #expect(
      try decode(
        "tele/env-lab-2/SENSOR", #"{"DS18B20":{"Temperature":295.6},"TempUnit":"K2"}"#, profile: "tasmota")
        == telemetry(
          device, [],
          notes: [FieldNote(field: "DS18B20.Temperature", reason: .unknownUnit, detail: "K2")]))
  }

  @Test("Senseair S8, PMS5003, several DS18B20 probes (channels), the ESP32 chip temperature")
  func moreSensors() throws {
    let device = DeviceIdentity(id: "env-lab-2", kind: .plug, room: nil, profile: "tasmota")
    // xsns_17_senseair.ino: {"S8":{"CarbonDioxide":612}}; xsns_18_pms5003.ino's PMS5003 object.
    #expect(
      try decode(
        "tele/env-lab-2/SENSOR",
        #"{"Time":"2025-11-29T15:00:00","S8":{"CarbonDioxide":612},"PMS5003":{"CF1":3,"CF2.5":5,"CF10":6,"PM1":3,"PM2.5":5,"PM10":6,"PB0.3":810,"PB0.5":240,"PB1":40,"PB2.5":4,"PB5":1,"PB10":0}}"#,
        profile: "tasmota")
        == telemetry(device, received(["co2": 612, "pm1": 3, "pm25": 5, "pm10": 6])))
    // xsns_05_ds18x20.ino with two probes: DS18B20-1 is the device, DS18B20-2 the channel .2.
    #expect(
      try decode(
        "tele/env-lab-2/SENSOR",
        #"{"DS18B20-1":{"Id":"01144A0CB2AA","Temperature":22.5},"DS18B20-2":{"Id":"3C01D0753F55","Temperature":4.1},"ESP32":{"Temperature":47.2},"TempUnit":"C"}"#,
        profile: "tasmota")
        == telemetry(
          device, received(["temperature": 22.5, "chip_temperature": 47.2]),
          channels: [channel(device, "2", received(["temperature": 4.1]))]))
  }

  @Test("the %topic%/%prefix%/ FullTopic layout works like the default one")
  func otherLayout() throws {
    let plug = DeviceIdentity(id: "plug-101", kind: .plug, room: nil, profile: "tasmota")
    #expect(
      try decode("plug-101/tele/SENSOR", #"{"ENERGY":{"Power":45}}"#, profile: "tasmota")
        == telemetry(plug, received(["power": 45])))
    #expect(try decode("plug-101/tele/LWT", "Online", profile: "tasmota") == status(plug, .online))
    #expect(
      try decode("plug-101/stat/POWER2", "OFF", profile: "tasmota")
        == telemetry(plug, [], channels: [channel(plug, "2", received(["power_on": 0]))]))
  }

  @Test("stat/<topic>/POWER and POWER<n>: plain text relay states")
  func plainPower() throws {
    #expect(
      try decode("stat/tasmota_8A3F2C/POWER", "ON", profile: "tasmota")
        == telemetry(Self.plug, received(["power_on": 1])))
    #expect(
      try decode("stat/tasmota_8A3F2C/POWER1", "off", profile: "tasmota")
        == telemetry(Self.plug, received(["power_on": 0])))
    #expect(
      try deadLetter(decode("stat/tasmota_8A3F2C/POWER", "TOGGLE", profile: "tasmota"))?.code == .invalidValue
    )
    // Other stat/ replies are known and not stored.
    #expect(try decode("stat/tasmota_8A3F2C/STATUS10", #"{"StatusSNS":{}}"#, profile: "tasmota") == .ignored)
  }

  @Test("stat/…/RESULT: a relay change at once; other command replies only mark the device seen")
  func result() throws {
    #expect(
      try decode("stat/tasmota_8A3F2C/RESULT", #"{"POWER":"OFF"}"#, profile: "tasmota")
        == telemetry(Self.plug, received(["power_on": 0])))
    #expect(
      try decode("stat/tasmota_8A3F2C/RESULT", #"{"Command":"Unknown"}"#, profile: "tasmota")
        == telemetry(Self.plug, []))
  }

  @Test("LWT: Online/Offline in any case")
  func lwt() throws {
    for (payload, expected) in [
      ("Online", DeviceStatus.online), ("Offline", .offline), ("online", .online), ("OFFLINE", .offline),
    ] {
      #expect(
        try decode("tele/tasmota_8A3F2C/LWT", payload, profile: "tasmota") == status(Self.plug, expected))
    }
    #expect(
      try deadLetter(decode("tele/tasmota_8A3F2C/LWT", "Restarting", profile: "tasmota"))
        == DeadLetterReason(.invalidValue, "availability must be one of Online, Offline"))
  }

  @Test("malformed JSON is a malformedPayload")
  func malformed() throws {
    for topic in ["tele/tasmota_8A3F2C/SENSOR", "tele/tasmota_8A3F2C/STATE", "stat/tasmota_8A3F2C/RESULT"] {
      let reason = try deadLetter(decode(topic, #"{"ENERGY":{"Power":45}"#, profile: "tasmota"))
      #expect(reason?.code == .malformedPayload, "\(topic)")
      #expect(reason?.detail.hasPrefix("invalid JSON: ") == true, "\(topic)")
    }
  }

  @Test("other Tasmota topics are neither claimed nor subscribed")
  func otherTopics() throws {
    let filters = try shippedSet().filters
    for topic in [
      "tele/tasmota_8A3F2C/INFO1", "cmnd/tasmota_8A3F2C/POWER",
      "tele/tasmota_8A3F2C/SENSOR/extra",
    ] {
      #expect(try decode(topic, "ON", profile: "tasmota") == nil, "\(topic)")
      #expect(try !isSubscribed(topic, by: filters), "\(topic)")
    }
  }
}
