// The Debian packages the tests need, each with a file that shows it is installed.
// test/setup/ensure-system-packages.mjs installs the missing ones.

/** [file that proves it is installed, Debian package]. Add a row when a test needs a new tool. */
export const SYSTEM_PACKAGES = [
  ['/usr/bin/socat', 'socat'], // pseudo-terminal pairs standing in for USB serial ports
  ['/usr/bin/chromium', 'chromium'], // end-to-end tests of the page
  ['/usr/sbin/ser2net', 'ser2net'], // the trusted peer in npm run bench (its smoke mode runs in npm test)
  ['/usr/bin/avr-gcc', 'gcc-avr'], // firmware build
  ['/usr/bin/avr-objcopy', 'binutils-avr'],
  ['/usr/lib/avr/include/avr/io.h', 'avr-libc'],
  ['/usr/share/arduino/hardware/arduino/avr/cores/arduino/Arduino.h', 'arduino-core-avr'],
  ['/usr/lib/x86_64-linux-gnu/libsimavr.so.2', 'libsimavr2'], // the emulated Uno (path fixed up per arch below)
  ['/usr/bin/make', 'make'], // make -C firmware
  ['/usr/bin/cc', 'gcc'], // the emulator (firmware/emulator/*.c)
  ['/usr/include/pty.h', 'libc6-dev'], // its openpty()
  ['/usr/bin/systemd-analyze', 'systemd'], // verify and security-rate the shipped unit (docs/serialdeck.service)
  ['/usr/sbin/mosquitto', 'mosquitto'], // the real MQTT broker of the bridge and fleet tests (test/helpers/mosquitto.ts)
];
