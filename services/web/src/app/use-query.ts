import type { TadaDocumentNode } from 'gql.tada';
import { useCallback, useEffect, useState } from 'react';
import { gql, SignedOut } from './graphql';

export interface QueryState<R> {
  data: R | undefined;
  error: string | undefined;
  reload: () => void;
}

/** One query, run when `key` changes and on `reload()`; a lost session sends back to sign-in. */
export function useQuery<R, V>(
  doc: TadaDocumentNode<R, V>,
  variables: V,
  key: string,
  onSignedOut: () => void,
): QueryState<R> {
  const [data, setData] = useState<R>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the variables.
  useEffect(() => {
    let live = true;
    gql(doc, variables).then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(undefined);
      },
      (e: unknown) => {
        if (!live) return;
        if (e instanceof SignedOut) onSignedOut();
        else setError(e instanceof Error ? e.message : String(e));
      },
    );
    return () => {
      live = false;
    };
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, reload };
}
