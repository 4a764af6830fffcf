import { describe, expect, it } from 'vitest';
import { framingFromStty, framingMismatch } from '../../server/serial/devices/stty.js';

// Real `stty -a` output: GNU coreutils on Linux (a socat pty after serialdeck set 7O2 with RTS/CTS) and BSD on macOS.
const GNU = `speed 115200 baud; rows 0; columns 0; line = 0;
intr = ^C; quit = ^\\; erase = ^?; kill = ^U; eof = ^D; eol = <undef>;
eol2 = <undef>; swtch = <undef>; start = ^Q; stop = ^S; susp = ^Z; rprnt = ^R;
werase = ^W; lnext = ^V; discard = ^O; min = 1; time = 0;
-parenb parodd -cmspar cs8 hupcl cstopb cread clocal crtscts
ignbrk -brkint ignpar -parmrk -inpck -istrip -inlcr -igncr -icrnl -ixon -ixoff
-iuclc -ixany -imaxbel -iutf8
`;
const BSD = `speed 9600 baud; 0 rows; 0 columns;
lflags: -icanon -isig -iexten -echo -echoe -echok echoke -echonl echoctl
iflags: -istrip -icrnl -inlcr -igncr ixon ixoff ixany imaxbel iutf8
oflags: -opost onlcr -oxtabs -onocr -onlret
cflags: cread cs7 parenb -parodd hupcl -clocal -cstopb -crtscts -dsrflow
`;

describe('stty -a, read back', () => {
  it('reads a Linux pty that kept 8 bits and no parity but took the stop bits and RTS/CTS', () => {
    expect(framingFromStty(GNU)).toEqual({ dataBits: 8, parity: 'none', stopBits: 2, flow: 'hard' });
  });

  it('reads BSD output: 7 bits, even parity, XON/XOFF', () => {
    expect(framingFromStty(BSD)).toEqual({ dataBits: 7, parity: 'even', stopBits: 1, flow: 'soft' });
  });

  it('tells mark and space parity by CMSPAR', () => {
    expect(framingFromStty('cs8 parenb parodd cmspar -cstopb')?.parity).toBe('mark');
    expect(framingFromStty('cs8 parenb -parodd cmspar -cstopb')?.parity).toBe('space');
    expect(framingFromStty('cs6 parenb parodd -cmspar')).toMatchObject({ dataBits: 6, parity: 'odd' });
  });

  it('is null for output it cannot read', () => {
    expect(framingFromStty('stty: standard input: Inappropriate ioctl for device')).toBeNull();
  });

  it('says what the device kept', () => {
    const wanted = { dataBits: 7, parity: 'odd', stopBits: 2, flow: 'hard' } as const;
    expect(framingMismatch(wanted, wanted)).toBeNull();
    expect(framingMismatch(wanted, { ...wanted, dataBits: 8, parity: 'none' })).toBe('8 data bits, parity none');
  });
});
