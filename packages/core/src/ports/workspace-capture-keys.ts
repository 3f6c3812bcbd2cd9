/** The capture keys of installed workspaces (OAuth): each maps to its workspace's product. */
export interface WorkspaceCaptureKeys {
  /** The product whose capture key this is, or null. The key is a secret: never log it. */
  productOfCaptureKey(captureKey: string): Promise<string | null>;
}
