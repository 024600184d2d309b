// Entry point: mount the app. No server-rendered HTML, no innerHTML anywhere: the DOM is built by Preact.
import { render } from 'preact';
import { App } from './app.js';
import './styles.css';

render(<App />, document.getElementById('app')!);
