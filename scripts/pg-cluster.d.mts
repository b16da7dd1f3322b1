export interface Cluster {
  dir: string;
  port: number;
  url: string;
  pgCtl: string;
  asUser: string[];
}
export function startCluster(): Promise<Cluster>;
export function stopCluster(cluster: Cluster): void;
