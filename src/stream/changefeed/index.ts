// The TiCDC changefeed management surface: the v2 API client and the renderings of one changefeed.
export { createTicdcClient, sameSink, type ChangefeedInfo, type TicdcClient, type TicdcClientOptions } from './ticdc-client.js';
export { cdcCliCommand, changefeedIdFor, changefeedToml, createChangefeedBody, sinkUri, tableFilterRule, type ChangefeedSpec } from './changefeed-spec.js';
