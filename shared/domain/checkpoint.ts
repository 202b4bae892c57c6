// `docker checkpoint` of a running container (CRIU through an experimental engine), always leaving it
// running. The checkpoint files are written to the HOST's disk by the engine and the Engine API
// offers no way to read them: Drydock records where they are (footprint) and what the engine lists.

/** One checkpoint as the engine lists it (GET /containers/{id}/checkpoints). */
export interface CheckpointListing {
  Name: string;
}

export interface CheckpointResult {
  host: string;
  containerId: string;
  containerName: string;
  checkpointId: string;
  /** Where the engine wrote it on the host's disk: <DockerRootDir>/containers/<id>/checkpoints/<checkpointId>. */
  hostPath: string;
  /** Always true: Drydock checkpoints with --leave-running (Exit: false). */
  leftRunning: true;
  /** Whether the container was still running when Drydock looked right after. */
  runningAfter: boolean;
  /** Every checkpoint of the container the engine lists after this one was taken. */
  listing: CheckpointListing[];
  engine: { version: string; experimental: boolean; dockerRootDir: string };
  /** The 'checkpoint' artifact recording all of this (not the checkpoint files: those stay on the host). */
  stored: { artifactId: string; sha256: string; caseId: string };
}
