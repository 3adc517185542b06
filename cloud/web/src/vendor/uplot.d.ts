/**
 * uPlot as the console imports it: the cloud serves node_modules/uplot's ES module at
 * /console/assets/vendor/uplot.js (src/console/assets.ts); its types are the package's.
 */
import uPlot from 'uplot';
export default uPlot;
