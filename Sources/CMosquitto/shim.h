#include <mosquitto.h>
// MQTT 5 constants (MQTT_PROP_*, MQTT_RC_*) live here, and mosquitto.h does not include it.
#include <mqtt_protocol.h>
