import DeviceModel

/// Turns a device's history over a period into its usage numbers. Pure: no clock, no I/O.
public enum Rollup {}
