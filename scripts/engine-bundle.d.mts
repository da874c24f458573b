export declare const nodeBundle: {
  readonly bundle: true;
  readonly packages: "external";
  readonly platform: "node";
  readonly format: "esm";
  readonly target: "node20";
  readonly logLevel: "warning";
};
export declare function bundleEngine(opts: {
  entry: string;
  outfile: string;
  sourcemap?: "linked" | "inline";
}): Promise<void>;
