// Entry point: styles, then the app over index.html's markup.
import '@xterm/xterm/css/xterm.css';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { createApp } from './app.js';

createApp(document, window).start();
