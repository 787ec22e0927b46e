/** Devices for the technician: find, register, credentials, status, swap, health chart, install. */
import type { BodyOf, Api, Device } from '@trygg/alarm-core';
import { call } from './call.js';

/** The device with this serial, or null when none is registered. */
export async function findDeviceBySerial(token: string, serial: string): Promise<Device | null> {
  const { devices } = await call('listDevices', { token, query: { serial } });
  return devices[0] ?? null;
}

/** Devices that need a technician (faulty, silent, never heard, battery low, weak signal, untested). */
export const fetchDevicesNeedingAttention = async (token: string) =>
  (await call('listDevices', { token, query: { attention: 'true' } })).devices;

export const fetchDevice = (token: string, id: string) => call('getDevice', { token, params: { id } });

/** Registers a device: the answer holds its credentials, shown once. */
export const registerDevice = (token: string, device: BodyOf<Api['registerDevice']>) =>
  call('registerDevice', { token, body: device });

/** New credentials (the old ones stop working). */
export const reissueDeviceCredentials = async (token: string, id: string) =>
  (await call('reissueDeviceCredentials', { token, params: { id } })).credentials;

export const markDeviceFaulty = (token: string, id: string) =>
  call('setDeviceStatus', { token, params: { id }, body: { status: 'faulty' } });

/** Swaps device `id` for `newDeviceId`, keeping the installation's settings. */
export const swapDevice = (token: string, id: string, newDeviceId: string) =>
  call('swapDevice', { token, params: { id }, body: { newDeviceId } });

/** The device's recent battery and signal. */
export const fetchDeviceHealthSeries = (token: string, id: string) =>
  call('deviceHealthSeries', { token, params: { id }, query: {} });

/** Starts the verified test of an installed device: it must send a test event before the deadline. */
export const startDeviceTest = (token: string, deviceId: string) => call('startDeviceTest', { token, params: { id: deviceId } });

export const fetchInstallationTest = (token: string, id: string) => call('getInstallationTest', { token, params: { id } });

export const installDevice = (token: string, installation: BodyOf<Api['createInstallation']>) =>
  call('createInstallation', { token, body: installation });
