// Chooses the payload encoder for a destination's `format`.
import type { ForwardEvent, ForwardFormat } from '../types.js';
import { encodeCef } from './cef.js';
import { encodeJson } from './json.js';
import { toOcsfEvent } from './ocsf.js';

export interface ProducerInfo {
  vendor: string;
  product: string;
  productVersion: string;
  collectorHostname: string;
}

export function renderPayload(format: ForwardFormat, event: ForwardEvent, producer: ProducerInfo): string {
  switch (format) {
    case 'cef':
      return encodeCef(event, producer);
    case 'json':
      return encodeJson(event);
    case 'ocsf':
      return JSON.stringify(toOcsfEvent(event, { productName: producer.product, vendorName: producer.vendor, productVersion: producer.productVersion }));
  }
}
