import { useEffect, useState } from 'preact/hooks';
import { httpEvents } from '../api/http';

export interface Connectivity {
  /** navigator.onLine: the device has a network. */
  online: boolean;
  /** False after a request failed to reach the server, until one succeeds again. */
  serverReachable: boolean;
}

/** Track the device's connection and whether our last request reached the server. */
export function useConnectivity(): Connectivity {
  const [online, setOnline] = useState(() => (typeof navigator === 'undefined' ? true : navigator.onLine));
  const [serverReachable, setServerReachable] = useState(true);
  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    const unreachable = () => setServerReachable(false);
    const reachable = () => setServerReachable(true);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    httpEvents.addEventListener('network-error', unreachable);
    httpEvents.addEventListener('network-ok', reachable);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
      httpEvents.removeEventListener('network-error', unreachable);
      httpEvents.removeEventListener('network-ok', reachable);
    };
  }, []);
  return { online, serverReachable };
}
