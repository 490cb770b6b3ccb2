// The demo's catalogue: fixed, so the cart only ever holds known product IDs.
export interface Product {
  id: string;
  name: string;
  cents: number;
}

export const PRODUCTS: readonly Product[] = [
  { id: 'tea', name: 'Green tea', cents: 450 },
  { id: 'coffee', name: 'Coffee beans', cents: 1290 },
  { id: 'notebook', name: 'Notebook', cents: 790 },
  { id: 'pen', name: 'Fountain pen', cents: 2400 },
];

export function isProductId(value: unknown): value is string {
  return typeof value === 'string' && PRODUCTS.some((p) => p.id === value);
}
