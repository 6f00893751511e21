/**
 * Injected before the page's own scripts: iwer emulates a Meta Quest 3 (stereo views, Touch
 * Plus controllers) as the browser's WebXR runtime, and the test drives it through window.__iwer.
 */
import { XRDevice, metaQuest3 } from "iwer";

const device = new XRDevice(metaQuest3, { stereoEnabled: true });
device.installRuntime({ forceInstall: true });
(window as unknown as { __iwer: XRDevice }).__iwer = device;
