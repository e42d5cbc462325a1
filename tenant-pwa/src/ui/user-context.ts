import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { User } from '../api/types';

export const UserContext = createContext<User | null>(null);

/** Return the signed-in user (the domain screens only render inside the signed-in shell). */
export function useUser(): User {
  const user = useContext(UserContext);
  if (!user) throw new Error('useUser outside the signed-in shell');
  return user;
}
