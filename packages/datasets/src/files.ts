/** The four IDX files of Fashion-MNIST, by their canonical names (without `.gz`). */
export const FASHION_MNIST_FILES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
] as const;

export type FashionMnistFile = (typeof FASHION_MNIST_FILES)[number];

/** What a file must decompress to. `bytes` is optional so that a test table may give only the hash. */
export interface ExpectedContent {
  /** Lower-case hex SHA-256 of the decompressed IDX content. */
  readonly sha256: string;
  readonly bytes?: number;
}

export type ChecksumTable = Readonly<Record<FashionMnistFile, ExpectedContent>>;

/**
 * Hashes of the *decompressed* content: the Debian package recompresses the files, so their .gz bytes differ
 * from the canonical mirror's while the content is identical.
 */
export const FASHION_MNIST_CHECKSUMS: ChecksumTable = {
  'train-images-idx3-ubyte': { sha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888', bytes: 47_040_016 },
  'train-labels-idx1-ubyte': { sha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9', bytes: 60_008 },
  't10k-images-idx3-ubyte': { sha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b', bytes: 7_840_016 },
  't10k-labels-idx1-ubyte': { sha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34', bytes: 10_008 },
};

/** The mirror named in the Fashion-MNIST README (github.com/zalandoresearch/fashion-mnist); serves `<file>.gz`. */
export const FASHION_MNIST_MIRROR = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';

/** Where `apt install dataset-fashion-mnist` (Debian/Ubuntu) puts the files. */
export const SYSTEM_DATASET_DIR = '/usr/share/datasets/fashion-mnist';

/** IDX rank of each file: images are [count, rows, cols], labels [count]. */
export function idxRank(file: FashionMnistFile): 1 | 3 {
  return file.includes('images') ? 3 : 1;
}
