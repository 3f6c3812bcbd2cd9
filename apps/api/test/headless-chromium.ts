export { launchHeadlessChromium } from '@threadline/test-helpers/chromium';
